"""A small program as many are written: customer rows read with csv.DictReader and kept in a
list, and an order history as objects of a plain class.

    build/pyheap advise --python examples/customers.py

prints what to change to make its heap smaller, and how many bytes each change would save.
"""
import csv
import io

CITIES = ["Lisbon", "Porto", "Braga", "Faro", "Coimbra", "Leiria", "Aveiro", "Viseu", "Evora", "Beja"]


class Order:
    def __init__(self, customer, amount, status):
        self.customer = customer
        self.amount = amount
        self.status = status


def customer_csv(n):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "name", "city", "country"])
    for i in range(n):
        w.writerow([100_000 + i, "customer %d" % i, CITIES[i % len(CITIES)], "PT" if i % 3 else "ES"])
    return out.getvalue()


customers = list(csv.DictReader(io.StringIO(customer_csv(20_000))))
orders = [Order(c["id"], 10.0 + i % 97, "shipped" if i % 5 else "open") for i, c in enumerate(customers)]
print("%d customers, %d orders" % (len(customers), len(orders)))
