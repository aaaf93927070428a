from semsiedit.training.train import main

main()
