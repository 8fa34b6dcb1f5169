/* Sensor mode (--sink): captures or files in, observations out to ClickHouse (chouse.h). */
#ifndef FLUXSCOPE_CLI_SENSOR_H
#define FLUXSCOPE_CLI_SENSOR_H

#include "cli/opts.h"

/* Runs the sensor to the end of its input (files) or until --duration or a signal (live);
 * returns the exit status: 0, 1 when observations were dropped at the spool's bound or a
 * source failed, 2 for bad options. */
int cli_sensor(const struct opts *o);

#endif
