"""Code both apps need, knowing neither: checks of uploaded files."""
