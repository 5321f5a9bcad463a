#ifndef SRIOV_WIZARD_CLIBXML2_SHIM_H
#define SRIOV_WIZARD_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, so <libxml/encoding.h> includes the system's
   <unicode/ucnv.h>, whose types clash with Foundation's bundled ICU module
   ("'UErrorCode' has different definitions in different modules") in any Swift module that
   sees both. ICU only adds two trailing pointer members to xmlCharEncodingHandler, a struct
   this project never allocates or reads, so the header is read without it. */
#undef LIBXML_ICU_ENABLED
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
