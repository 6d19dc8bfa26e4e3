//! extern "C" surface of crate::packet (to be written).
