#!/usr/bin/perl
# Build a MaxMind DB (.mmdb) test fixture from readable JSON with MaxMind's own writer
# (Debian: libmaxmind-db-writer-perl). Usage: mkmmdb.pl SOURCE.json OUT.mmdb
#
# SOURCE.json:
#   { "database_type": "GeoLite2-ASN",      metadata the reader classifies by
#     "ip_version": 6, "record_size": 24,
#     "alias_ipv6_to_ipv4": true,            ::ffff:0:0/96 and 2002::/16 lead to IPv4
#     "build_epoch": 1767225600 | "build_age_days": 90,   fixed or relative to now
#     "description": { "en": "..." }, "languages": ["en"],
#     "types": { "key": "uint16", ... },    extra key types (see %TYPES for the defaults)
#     "networks": [ { "network": "198.51.100.0/24", "data": { ... } }, ... ] }
# Reserved ranges (documentation, CGNAT) are kept: the fixtures live there.
use strict;
use warnings;

use JSON::PP;
use MaxMind::DB::Writer::Tree;

my %TYPES = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
    isp                            => 'utf8_string',
    organization                   => 'utf8_string',
    city                           => 'map',
    continent                      => 'map',
    country                        => 'map',
    registered_country             => 'map',
    represented_country            => 'map',
    location                       => 'map',
    postal                         => 'map',
    names                          => 'map',
    subdivisions                   => [ 'array', 'map' ],
    latitude                       => 'double',
    longitude                      => 'double',
    accuracy_radius                => 'uint16',
    geoname_id                     => 'uint32',
    is_in_european_union           => 'boolean',
    code                           => 'utf8_string',
    iso_code                       => 'utf8_string',
    time_zone                      => 'utf8_string',
    country_code                   => 'utf8_string',
);

die "usage: $0 SOURCE.json OUT.mmdb\n" unless @ARGV == 2;
my ( $src, $out ) = @ARGV;

open my $in, '<:raw', $src or die "$src: $!\n";
my $json = do { local $/; <$in> };
close $in;
my $spec = JSON::PP->new->utf8->relaxed->decode($json);

my %types = ( %TYPES, %{ $spec->{types} // {} } );
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => $spec->{ip_version} // 6,
    record_size              => $spec->{record_size} // 24,
    database_type            => $spec->{database_type} // die("$src: no database_type\n"),
    languages                => $spec->{languages} // ['en'],
    description              => $spec->{description} // { en => "fluxscope test fixture" },
    alias_ipv6_to_ipv4       => $spec->{alias_ipv6_to_ipv4} ? 1 : 0,
    remove_reserved_networks => 0,
    map_key_type_callback    => sub { $types{ $_[0] } // 'utf8_string' },
);
if ( defined $spec->{build_epoch} ) {
    $tree->_set_build_epoch( $spec->{build_epoch} );
}
elsif ( defined $spec->{build_age_days} ) {
    $tree->_set_build_epoch( time() - int( $spec->{build_age_days} * 86400 ) );
}

for my $n ( @{ $spec->{networks} } ) {
    $tree->insert_network( $n->{network}, $n->{data} );
}

my $tmp = "$out.tmp.$$";
open my $fh, '>:raw', $tmp or die "$tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "$tmp: $!\n";
rename $tmp, $out or die "$out: $!\n";
