"""Performance management: indicators the rule files declare, company profiles, and what records them."""
