/** The package version `net-mesh --version` prints. */
export const VERSION = '0.1.0';
