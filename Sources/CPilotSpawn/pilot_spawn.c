#include "pilot_spawn.h"
int pilot_spawn_placeholder(void) { return 0; }
