// Only the declaration in include/CFuzzDriver.h is needed; SwiftPM wants one source file.
#include "CFuzzDriver.h"
