int pilot_spawn_placeholder(void);
