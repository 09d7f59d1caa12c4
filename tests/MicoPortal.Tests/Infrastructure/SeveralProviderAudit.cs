using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// The rules of several providers judged from the providers' own records (docs/api.md section 8):
/// <list type="bullet">
/// <item>each order ends as the provider of its current attempt says (Delivered with a proof for SUCCESS, and so on);</item>
/// <item>no order is delivered (SUCCESS, or REVERSED after it) at two providers, or twice at one;</item>
/// <item>at each provider an order has at most one committed reference (one attempt per provider);</item>
/// <item>at each provider, no create is sent again without REF_NOT_FOUND and no reference belongs to an unknown order
/// (<see cref="ProviderCreateAudit"/>; how many commits each order should have there is what the previous rule bounds).</item>
/// </list>
/// </summary>
public static class SeveralProviderAudit
{
    public static List<string> Check(IReadOnlyDictionary<string, SandboxLedger> ledgers, IReadOnlyCollection<Order> orders)
    {
        var violations = new List<string>();
        foreach (var order in orders)
        {
            var truth = order.Provider is { } provider && ledgers.TryGetValue(provider, out var ledger) ? ledger.GetTruth(order.ClientRef) : null;
            var expected = truth?.Status switch
            {
                ProviderStatuses.Success => OrderStatus.Delivered,
                ProviderStatuses.Failed => OrderStatus.Failed,
                ProviderStatuses.Reversed => OrderStatus.Reversed,
                _ => (OrderStatus?)null,
            };
            if (expected != order.Status && !(order.Status == OrderStatus.Failed && truth is null && order.ReasonCode is not null))
            {
                violations.Add($"{order.ClientRef} at {order.Provider ?? "no provider"} is {order.Status}, the provider says {truth?.Status ?? "nothing"}");
            }

            if (order.Status == OrderStatus.Delivered && order.ProofSerial is null)
            {
                violations.Add($"{order.ClientRef} is Delivered without a proof");
            }
        }

        var deliveries = new Dictionary<long, List<string>>();
        foreach (var (name, ledger) in ledgers)
        {
            var committedRefs = new Dictionary<long, int>();
            var commits = new Dictionary<long, int>();
            foreach (var (clientRef, counts) in ledger.AllCreateCounts())
            {
                if (!Order.TryParseClientRef(clientRef, out var orderId, out _))
                {
                    continue; // reported by ProviderCreateAudit below
                }

                commits[orderId] = commits.GetValueOrDefault(orderId) + counts.Committed;
                if (counts.Committed > 0)
                {
                    committedRefs[orderId] = committedRefs.GetValueOrDefault(orderId) + 1;
                }

                if (ledger.GetTruth(clientRef)?.Status is ProviderStatuses.Success or ProviderStatuses.Reversed)
                {
                    (deliveries.TryGetValue(orderId, out var list) ? list : deliveries[orderId] = []).Add($"{clientRef} at {name}");
                }
            }

            violations.AddRange(committedRefs.Where(c => c.Value > 1).Select(c => $"order {c.Key}: {c.Value} attempts committed at {name}"));
            var audit = ProviderCreateAudit.Check(ledger, orders, order => commits.GetValueOrDefault(order.Id));
            violations.AddRange(audit.Violations.Select(v => $"{name}: {v}"));
        }

        violations.AddRange(deliveries.Where(d => d.Value.Count > 1).Select(d => $"order {d.Key} delivered {d.Value.Count} times: {string.Join(", ", d.Value)}"));
        return violations;
    }
}
