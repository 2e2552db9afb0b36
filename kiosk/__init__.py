"""The kiosk agent: touch UI on localhost, printer and ID reader, talks to the centre."""
