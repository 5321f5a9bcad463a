#ifndef SRIOV_WIZARD_CLIBXML2_SHIM_H
#define SRIOV_WIZARD_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

/* Swift 6 refuses the `xmlFree` global function pointer (it is mutable global state and
   so not concurrency-safe); this inline wrapper is the only way Swift frees libxml2 memory. */
static inline void cxml_free(void *ptr) { xmlFree(ptr); }

/* libxml2 2.9 declares xmlParserVersion as a global too. */
static inline const char *cxml_version(void) { return LIBXML_DOTTED_VERSION; }

#endif
