//! packet (to be written).
