from semsiedit.cli import main

main()
