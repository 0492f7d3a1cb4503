#ifndef CHWLOC_SHIM_H
#define CHWLOC_SHIM_H

#include <hwloc.h>
#include <hwloc/export.h>

/* hwloc_bitmap_foreach_begin/end are statement macros Swift cannot import;
   callers iterate with hwloc_bitmap_first/hwloc_bitmap_next instead. */

/* The union accessors are awkward from Swift; these keep the casts in C. */
static inline hwloc_obj_osdev_type_t chwloc_osdev_type(hwloc_obj_t obj) {
    return obj->attr->osdev.type;
}

static inline hwloc_uint64_t chwloc_numanode_local_memory(hwloc_obj_t obj) {
    return obj->attr->numanode.local_memory;
}

static inline int chwloc_pcidev_busid(hwloc_obj_t obj, unsigned *domain, unsigned *bus,
                                      unsigned *dev, unsigned *func) {
    if (obj->type != HWLOC_OBJ_PCI_DEVICE) return -1;
    *domain = obj->attr->pcidev.domain;
    *bus = obj->attr->pcidev.bus;
    *dev = obj->attr->pcidev.dev;
    *func = obj->attr->pcidev.func;
    return 0;
}

/* PCI vendor id (0x10de NVIDIA, 0x1002 AMD, 0x8086 Intel), or 0 for other objects. */
static inline unsigned chwloc_pcidev_vendor(hwloc_obj_t obj) {
    return obj->type == HWLOC_OBJ_PCI_DEVICE ? obj->attr->pcidev.vendor_id : 0;
}

#endif
