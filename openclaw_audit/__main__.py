from openclaw_audit.entry import main

if __name__ == "__main__":
    main()
