#!/usr/bin/perl
# Build the demo GeoIP pair from the readable source that samples/fluxgen writes:
#   samples/build-mmdb.pl samples/demo-geo.tsv samples/demo-asn.mmdb samples/demo-geo.mmdb
# demo-asn.mmdb has the GeoLite2-ASN layout (database_type "GeoLite2-ASN"), demo-geo.mmdb the
# GeoLite2-City layout (country iso_code and names, continent, city names, location).
# Output is byte-for-byte reproducible: the build epoch comes from the source's
# "# build_epoch N" line and Perl's hash order is pinned (the script re-executes itself with
# PERL_HASH_SEED=0 when it is not), so the committed .mmdb files can be checked against a rebuild.
# Needs Debian's libmaxmind-db-writer-perl.
use strict;
use warnings;

BEGIN {
	if (!defined $ENV{PERL_HASH_SEED} || $ENV{PERL_HASH_SEED} ne '0') {
		$ENV{PERL_HASH_SEED} = '0';
		$ENV{PERL_PERTURB_KEYS} = '0';
		exec($^X, $0, @ARGV) or die "build-mmdb.pl: cannot re-execute $^X: $!\n";
	}
}

use MaxMind::DB::Writer::Tree;

my ($src, $asn_out, $geo_out) = @ARGV;
die "usage: build-mmdb.pl SOURCE.tsv ASN.mmdb GEO.mmdb\n" unless defined $geo_out;

open(my $in, '<:encoding(UTF-8)', $src) or die "build-mmdb.pl: cannot open $src: $!\n";
my $epoch;
my @rows;
while (my $line = <$in>) {
	chomp $line;
	if ($line =~ /^# build_epoch (\d+)/) { $epoch = $1; next; }
	next if $line =~ /^#/ || $line eq '';
	my @f = split /\t/, $line;
	die "build-mmdb.pl: $src line $.: expected 9 tab-separated fields\n" unless @f == 9;
	push @rows, \@f;
}
close $in;
die "build-mmdb.pl: $src has no '# build_epoch N' line\n" unless defined $epoch;

my %types = (
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
	city => 'map', continent => 'map', country => 'map', registered_country => 'map',
	location => 'map', names => 'map', en => 'utf8_string', iso_code => 'utf8_string',
	code => 'utf8_string', latitude => 'double', longitude => 'double',
	accuracy_radius => 'uint16',
);

sub tree {
	my ($type, $desc) = @_;
	my $t = MaxMind::DB::Writer::Tree->new(
		ip_version => 6,
		record_size => 28,
		database_type => $type,
		languages => ['en'],
		description => { en => $desc },
		alias_ipv6_to_ipv4 => 1,
		remove_reserved_networks => 1,
		map_key_type_callback => sub { $types{ $_[0] } or die "no type for key $_[0]\n" },
	);
	$t->_set_build_epoch($epoch);
	return $t;
}

my %continent = (EU => 'Europe', NA => 'North America', SA => 'South America', AS => 'Asia',
	AF => 'Africa', OC => 'Oceania');

my $asn = tree('GeoLite2-ASN', 'fluxscope demo ASN database (synthetic, for the sample captures)');
my $geo = tree('GeoLite2-City', 'fluxscope demo City database (synthetic, for the sample captures)');

# Rows come least specific first, so a more specific network overrides the block it sits in.
for my $r (@rows) {
	my ($net, $as, $org, $cc, $cname, $cont, $city, $lat, $lon) = @$r;
	$asn->insert_network($net, {
		autonomous_system_number => $as + 0,
		autonomous_system_organization => $org,
	});
	$geo->insert_network($net, {
		continent => { code => $cont, names => { en => $continent{$cont} // $cont } },
		country => { iso_code => $cc, names => { en => $cname } },
		registered_country => { iso_code => $cc, names => { en => $cname } },
		city => { names => { en => $city } },
		location => { latitude => $lat + 0.0, longitude => $lon + 0.0, accuracy_radius => 100 },
	});
}

for my $pair ([$asn, $asn_out], [$geo, $geo_out]) {
	my ($t, $path) = @$pair;
	my $tmp = "$path.tmp";
	open(my $fh, '>:raw', $tmp) or die "build-mmdb.pl: cannot write $tmp: $!\n";
	$t->write_tree($fh);
	close($fh) or die "build-mmdb.pl: cannot write $tmp: $!\n";
	rename($tmp, $path) or die "build-mmdb.pl: cannot rename $tmp to $path: $!\n";
}
