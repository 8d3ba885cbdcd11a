#!/usr/bin/env python3
"""Builds festivals.csv (name,start_date,end_date,kind,basis) from the dated
India calendar (india_festivals_2024_2027.csv: date,year,event,kind,...).

Festival rows are the festivities themselves (Navratri's nine nights, Diwali
from Dhanteras to Bhai Dooj, ...), anchored on the library dates of the input.
Sale rows are heuristic windows: marketplaces announce sale dates late and
move them, so only the season is certain. Run:

  python3 data/external/build_festivals.py \
      ../shared/datasets/india-calendar/india_festivals_2024_2027.csv \
      > data/external/festivals.csv
"""
import csv
import datetime as dt
import sys

# input event name -> (output name, days before the date, days after, basis)
FESTIVALS = {
    "Makar Sankranti": ("Pongal / Makar Sankranti", 1, 2, "Bhogi to Kaanum Pongal"),
    "Republic Day": ("Republic Day", 0, 0, "national holiday"),
    "Holi": ("Holi", 1, 0, "Holika Dahan and Holi"),
    "Id-ul-Fitr": ("Eid al-Fitr", 0, 2, "Id-ul-Fitr and the two days after"),
    "Id-ul-Fitr (estimated)": ("Eid al-Fitr", 0, 2, "Id-ul-Fitr (date estimated) and two days after"),
    "Id-ul-Zuha (Bakrid)": ("Eid al-Adha (Bakrid)", 0, 1, "Bakrid and the day after"),
    "Id-ul-Zuha (Bakrid) (estimated)": ("Eid al-Adha (Bakrid)", 0, 1, "Bakrid (date estimated)"),
    "Raksha Bandhan": ("Raksha Bandhan", 0, 0, "the day"),
    "Independence Day": ("Independence Day", 0, 0, "national holiday"),
    "Janmashtami": ("Janmashtami", 0, 0, "the day"),
    "Ganesh Chaturthi": ("Ganesh Chaturthi", 0, 10, "Ganeshotsav to Anant Chaturdashi"),
    "Onam": ("Onam", 9, 0, "Atham to Thiruvonam"),
    "Sharad Navratri (day 1)": ("Navratri", 0, 8, "the nine nights of Sharad Navratri"),
    "Durga Puja Maha Ashtami": ("Durga Puja", 2, 2, "Shashthi to Vijayadashami"),
    "Dussehra / Vijayadashami": ("Dussehra", 0, 0, "Vijayadashami"),
    "Karwa Chauth": ("Karwa Chauth", 0, 0, "the day"),
    "Diwali (Lakshmi Puja)": ("Diwali", 2, 2, "Dhanteras to Bhai Dooj"),
    "Chhath Puja": ("Chhath Puja", 3, 0, "the four days of Chhath"),
    "Guru Nanak's Jayanti": ("Guru Nanak Jayanti", 0, 0, "the day"),
    "Christmas": ("Christmas", 1, 0, "Christmas Eve and Christmas"),
}


def day(text):
    return dt.date.fromisoformat(text)


def main(path):
    rows = []
    seen = set()
    anchors = {}  # (event, year) -> date
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            d, event, year = day(r["date"]), r["event"], int(r["year"])
            anchors.setdefault((event, year), d)
            if event in FESTIVALS:
                name, before, after, basis = FESTIVALS[event]
                if (name, year) in seen:
                    continue  # listed both as a central holiday and a Hindu festival
                seen.add((name, year))
                rows.append((d - dt.timedelta(before), d + dt.timedelta(after), name,
                             "festival", basis))
    years = sorted({y for (_, y) in anchors})
    for y in years:
        rd, idd = dt.date(y, 1, 26), dt.date(y, 8, 15)
        rows.append((rd - dt.timedelta(12), rd - dt.timedelta(5), "Republic Day Sale", "sale",
                     "heuristic: the week before Republic Day week"))
        rows.append((idd - dt.timedelta(12), idd - dt.timedelta(5), "Independence Day Sale",
                     "sale", "heuristic: the week before Independence Day week"))
        rows.append((dt.date(y, 6, 7), dt.date(y, 6, 14), "End of Season Sale (summer)", "sale",
                     "heuristic: fashion end-of-season sale in early June"))
        rows.append((dt.date(y, 12, 7), dt.date(y, 12, 14), "End of Season Sale (winter)", "sale",
                     "heuristic: fashion end-of-season sale in early December"))
        start = anchors.get(("HEURISTIC festive-sale window start (Navratri-10d)", y))
        end = anchors.get(("HEURISTIC festive-sale window end (Diwali+2d)", y))
        navratri = anchors.get(("Sharad Navratri (day 1)", y))
        if start and end:
            rows.append((start, end, "Festive season sales", "sale",
                         "heuristic: Sharad Navratri - 10 days to Diwali + 2 days"))
        if navratri:
            rows.append((navratri - dt.timedelta(3), navratri + dt.timedelta(4),
                         "Festive sale opening week", "sale",
                         "heuristic: Big Billion Days / Great Indian Festival open near Navratri"))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["name", "start_date", "end_date", "kind", "basis"])
    for start, end, name, kind, basis in rows:
        out.writerow([name, start.isoformat(), end.isoformat(), kind, basis])


if __name__ == "__main__":
    main(sys.argv[1])
