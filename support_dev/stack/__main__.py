import sys

from support_dev.stack.cli import main

sys.exit(main())
