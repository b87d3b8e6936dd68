from aigonix_render.cli import main

main()
