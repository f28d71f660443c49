"""What a panel member's phone opens from a join card."""
