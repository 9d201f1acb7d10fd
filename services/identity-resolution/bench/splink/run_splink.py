"""Splink on the identity benchmark's records, for a figure beside ours in the same run.

Reads the JSONL records resolve-file reads ({"recordId", "traits": {...}, "identifiers"?}),
flattens the person traits into columns, trains a Splink model on the file itself (u from
random pairs, m by EM, as Splink's own FEBRL examples do), clusters at the given match
probability and writes JSONL {"recordId", "clusterId"}. Prints one JSON line of timings.

    python run_splink.py records.jsonl clusters.jsonl [--threshold 0.9]
"""

import argparse
import json
import logging
import re
import sys
import time

import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

COLUMNS = ["first_name", "surname", "street_number", "street", "line2", "city", "postcode", "state", "dob", "national_id"]


def text(value):
    if value is None:
        return None
    value = str(value).strip().lower()
    return value or None


def row_of(record):
    traits = record.get("traits") or {}
    address = traits.get("address") if isinstance(traits.get("address"), dict) else {}
    street = text(address.get("street"))
    number = None
    if street is not None:
        match = re.match(r"^(\d+\w?)\s+(.*)$", street)
        if match:
            number, street = match.group(1), match.group(2)
        elif re.fullmatch(r"\d+\w?", street):
            number, street = street, None
    identifiers = record.get("identifiers") or {}
    birthday = text(traits.get("birthday"))
    return {
        "unique_id": record["recordId"],
        "first_name": text(traits.get("firstName")),
        "surname": text(traits.get("lastName")),
        "street_number": number,
        "street": street,
        "line2": text(address.get("line2")),
        "city": text(address.get("city")),
        "postcode": text(address.get("postalCode")),
        "state": text(address.get("state")),
        "dob": re.sub(r"\D", "", birthday) if birthday else None,
        "national_id": text(identifiers.get("nationalId") or traits.get("nationalId")),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("records")
    parser.add_argument("clusters")
    parser.add_argument("--threshold", type=float, default=0.9)
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)

    with open(args.records, encoding="utf-8") as source:
        rows = [row_of(json.loads(line)) for line in source if line.strip()]
    with_national_id = any(row["national_id"] for row in rows)
    started = time.perf_counter()

    comparisons = [
        cl.ForenameSurnameComparison("first_name", "surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y%m%d"),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("street", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("line2", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("city", [0.9, 0.7]).configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
        cl.ExactMatch("state"),
    ]
    if with_national_id:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("national_id", [1, 2]))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("dob"),
            block_on("postcode", "first_name"),
            block_on("postcode", "surname"),
            block_on("street_number", "postcode"),
            block_on("street", "city"),
            block_on("line2"),
        ]
        + ([block_on("national_id")] if with_national_id else []),
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    table = db_api.register([{key: row[key] for key in ["unique_id", *COLUMNS]} for row in rows])
    linker = Linker(table, settings)
    linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname", "dob"), block_on("street", "postcode", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("dob"), block_on("postcode"), block_on("first_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=args.threshold)
    result = clusters.as_record_list()
    seconds = time.perf_counter() - started

    with open(args.clusters, "w", encoding="utf-8") as sink:
        for item in result:
            sink.write(json.dumps({"recordId": item["unique_id"], "clusterId": str(item["cluster_id"])}) + "\n")
    json.dump({"splink": "5.0.0", "records": len(rows), "seconds": round(seconds, 3), "threshold": args.threshold, "nationalId": with_national_id}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
