using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers.Sandbox;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// Rule 1 of docs/api.md section 1 (an order reaches the provider at most once per delivery attempt)
/// judged from the provider's own records, not the portal's. Every create the provider received is
/// counted, under every reference the provider remembers, and charged to its order:
/// <list type="bullet">
/// <item>each order is committed at the provider exactly once per attempt it made (no more, no less);</item>
/// <item>no create for a reference arrives again unless the provider answered REF_NOT_FOUND for it in
/// between (a replayed create, answered 200 for an order that exists, counts as sent again);</item>
/// <item>no reference at the provider belongs to an order the portal does not have.</item>
/// </list>
/// Checking only <c>Committed == 1</c> for the current reference cannot fail: the sandbox never
/// commits a reference twice, a resent create is answered as a replay.
/// </summary>
public static class ProviderCreateAudit
{
    public sealed record Result(int Orders, int References, int Received, int Committed, int Replayed, int SentAgainUnasked, IReadOnlyList<string> Violations)
    {
        public override string ToString() =>
            $"{Orders} orders, {References} references at the provider, {Received} creates received, {Committed} committed, " +
            $"{Replayed} replayed, {SentAgainUnasked} sent again without REF_NOT_FOUND, {Violations.Count} violations";
    }

    /// <param name="ledger">The provider's records.</param>
    /// <param name="orders">Every order of the run, as the portal stored them.</param>
    /// <param name="expectedCommits">Creates each order should have committed at the provider; default one per attempt.</param>
    public static Result Check(SandboxLedger ledger, IReadOnlyCollection<Order> orders, Func<Order, int>? expectedCommits = null)
    {
        expectedCommits ??= order => order.AttemptNo;
        var counts = ledger.AllCreateCounts();
        var violations = new List<string>();
        var byOrder = new Dictionary<long, List<(string Ref, SandboxCreateCounts Counts)>>();
        foreach (var (clientRef, c) in counts)
        {
            if (!Order.TryParseClientRef(clientRef, out var orderId, out _))
            {
                violations.Add($"{clientRef}: a reference at the provider that is not the portal's");
                continue;
            }

            if (!byOrder.TryGetValue(orderId, out var refs))
            {
                byOrder[orderId] = refs = [];
            }

            refs.Add((clientRef, c));
            if (c.SentAgainUnasked > 0)
            {
                violations.Add($"{clientRef}: {c.SentAgainUnasked} create(s) sent again without REF_NOT_FOUND ({c.Received} received, {c.Committed} committed, {c.Replayed} replayed)");
            }

            if (c.Replayed > 0 && c.NotFoundAnswered == 0)
            {
                violations.Add($"{clientRef}: {c.Replayed} create(s) replayed at the provider, never after REF_NOT_FOUND");
            }
        }

        foreach (var order in orders)
        {
            var committed = byOrder.Remove(order.Id, out var refs) ? refs.Sum(r => r.Counts.Committed) : 0;
            var expected = expectedCommits(order);
            if (committed != expected)
            {
                violations.Add($"order {order.Id} ({order.ExternalId}, {order.Status}, attempt {order.AttemptNo}): committed {committed} times at the provider, expected {expected}");
            }
        }

        foreach (var (orderId, refs) in byOrder)
        {
            violations.Add($"order {orderId}: {refs.Sum(r => r.Counts.Received)} create(s) at the provider for an order the portal does not have");
        }

        var all = counts.Values.ToList();
        return new Result(orders.Count, counts.Count, all.Sum(c => c.Received), all.Sum(c => c.Committed), all.Sum(c => c.Replayed),
            all.Sum(c => c.SentAgainUnasked), violations);
    }
}
