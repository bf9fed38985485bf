from openclaw_audit.face.cli import main

if __name__ == "__main__":
    main()
