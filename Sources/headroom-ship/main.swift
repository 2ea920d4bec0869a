#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomShip

exit(ShipMain.main(Array(CommandLine.arguments.dropFirst())))
