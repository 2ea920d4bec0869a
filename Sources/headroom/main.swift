import HeadroomCLI

HeadroomCommand.main()
