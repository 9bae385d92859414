"""Dates as GOV.UK writes them ("30 March 2022"), wherever a template shows a date as it is.

Django's en-GB formats abbreviate the month ("30 Mar 2022"); the style guide spells it out.
Input formats accept what people type ("27 3 2027", "27/3/2027", "27 March 2027") as well as the
ISO date a browser's date picker sends.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # what <input type="date"> sends
    "%d %m %Y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d %B %Y",
    "%d %b %Y",
]
