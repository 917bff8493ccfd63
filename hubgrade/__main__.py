from hubgrade.cli import main

main()
