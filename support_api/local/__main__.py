import sys

from support_api.local.cli import main

sys.exit(main())
