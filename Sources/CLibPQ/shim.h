#ifndef SRIOV_REPORT_SERVER_CLIBPQ_SHIM_H
#define SRIOV_REPORT_SERVER_CLIBPQ_SHIM_H
/* PostgreSQL's client library (Debian: libpq-dev). Only ReportServer's PostgresStore imports it. */
#include <libpq-fe.h>
#endif
