"""Score reports (issue 10): the numbers, and later the page, the PDF and reviews."""
