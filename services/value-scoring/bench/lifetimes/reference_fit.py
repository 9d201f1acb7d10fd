"""Fits BG/NBD and Gamma-Gamma with lifetimes, the reference open implementation, and prints
what the TypeScript fitter is compared against, as one JSON document on stdout.

    python reference_fit.py --export cdnow.csv            # writes lifetimes' CDNOW sample summary
    python reference_fit.py summaries.csv --customers 1,2,18 --t 39

The summaries CSV has the columns customer_id,frequency,recency,T,monetary_value (lifetimes'
names: frequency = repeat purchases x, recency = t_x, T = age, monetary_value = m_x).
"""
import argparse
import contextlib
import json
import sys

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("summaries", nargs="?")
    parser.add_argument("--export")
    parser.add_argument("--customers", default="")
    parser.add_argument("--t", type=float, default=39.0)
    args = parser.parse_args()

    if args.export:
        data = load_cdnow_summary_data_with_monetary_value()
        data.reset_index().to_csv(args.export, index=False)
        print(json.dumps({"exported": args.export, "customers": len(data)}))
        return

    data = pd.read_csv(args.summaries, dtype={"customer_id": str}).set_index("customer_id")
    bg = BetaGeoFitter(penalizer_coef=0.0)
    bg_error = None
    # lifetimes prints scipy's report on stdout when it gives up: keep stdout for the JSON.
    with contextlib.redirect_stdout(sys.stderr):
        try:
            bg.fit(data["frequency"], data["recency"], data["T"])
        except Exception as error:  # ConvergenceError: scipy's BFGS stopped without converging
            bg_error = str(error).strip().splitlines()[0]
            bg = None
    repeat = data[(data["frequency"] > 0) & (data["monetary_value"] > 0)]
    gg = GammaGammaFitter(penalizer_coef=0.0)
    gg_error = None
    with contextlib.redirect_stdout(sys.stderr):
        try:
            gg.fit(repeat["frequency"], repeat["monetary_value"])
        except Exception as error:
            gg_error = str(error).strip().splitlines()[0]
            gg = None

    n = len(data)
    customers = [c for c in args.customers.split(",") if c]
    rows = []
    for c in customers:
        row = data.loc[c]
        f, rec, T, m = float(row["frequency"]), float(row["recency"]), float(row["T"]), float(row["monetary_value"])
        spend = float(gg.conditional_expected_average_profit(pd.Series([f]), pd.Series([m])).iloc[0]) if gg is not None and f > 0 and m > 0 else None
        if bg is None:
            rows.append({"customer_id": c, "expected_purchases": None, "p_alive": None, "expected_spend": spend})
            continue
        rows.append({
            "customer_id": c,
            "expected_purchases": float(bg.conditional_expected_number_of_purchases_up_to_time(args.t, f, rec, T)),
            "p_alive": float(np.asarray(bg.conditional_probability_alive(f, rec, T)).reshape(-1)[0]),
            "expected_spend": spend,
        })
    print(json.dumps({
        "implementation": "lifetimes 0.11.3",
        "customers": n,
        "t": args.t,
        "bg_nbd": None if bg is None else {k: float(v) for k, v in bg.params_.items()},
        "bg_nbd_error": bg_error,
            # lifetimes fits on times scaled to a maximum T of 10 (and keeps the mean), so its stored
        # likelihood is not comparable; this is its own function at its parameters, unscaled, total.
        "bg_nbd_log_likelihood": None if bg is None else -float(BetaGeoFitter._negative_log_likelihood(np.log(list(bg.params_.values)), data["frequency"].values, data["recency"].values, data["T"].values, np.ones(n), 0.0)) * n,
        "gamma_gamma": None if gg is None else {k: float(v) for k, v in gg.params_.items()},
        "gamma_gamma_error": gg_error,
        "gamma_gamma_log_likelihood": None if gg is None else -float(gg._negative_log_likelihood_) * len(repeat),
        "gamma_gamma_customers": len(repeat),
        "per_customer": rows,
    }))


if __name__ == "__main__":
    main()
