"""What a kommunvägledare works with beside the conversation itself: snabbsvar."""
