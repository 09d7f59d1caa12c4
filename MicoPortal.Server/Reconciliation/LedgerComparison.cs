using System.Globalization;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Reconciliation;

/// <summary>What the reconciliation needs of an order, read without tracking.</summary>
public sealed record OrderSnapshot(long Id, int AttemptNo, OrderStatus Status, int Coins, decimal Amount, string Currency, DateTimeOffset? CompletedAt);

/// <summary>The comparison of one log row with its order.</summary>
/// <param name="StatusProblem">Why the statuses disagree, or null.</param>
/// <param name="AmountProblem">Why quantity, amount or currency disagree, or null.</param>
/// <param name="Confirms">The row is the <c>ledger</c> confirmation of a delivered order.</param>
public readonly record struct LedgerVerdict(string? StatusProblem, string? AmountProblem, bool Confirms)
{
    public bool Matched => StatusProblem is null && AmountProblem is null;
}

/// <summary>
/// The rules of docs/api.md section 7 for one row, pure so each is unit-tested. A status agrees when
/// it is what the portal's status means in provider words; PENDING agrees with an order still in
/// flight, and with a finished one only when the row is older than the finish (the log was taken
/// before). The amount disagrees when the quantity is not the order's coins, or the amount is above
/// (or in another currency than) the price limit the portal sent.
/// </summary>
public static class LedgerComparison
{
    public static LedgerVerdict Compare(OrderSnapshot order, int rowAttemptNo, LedgerRow row)
    {
        var amountProblem = AmountProblem(order, row);
        if (rowAttemptNo < order.AttemptNo)
        {
            // Retry is allowed only from a confirmed failure, so an earlier attempt can only have failed.
            var earlier = row.Status == ProviderStatuses.Failed
                ? null
                : $"earlier attempt {row.ClientRef} is {row.Status} at the provider, but the order was retried as attempt {order.AttemptNo}";
            return new LedgerVerdict(earlier, amountProblem, false);
        }

        var agrees = (row.Status, order.Status) switch
        {
            (ProviderStatuses.Success, OrderStatus.Delivered) => true,
            (ProviderStatuses.Failed, OrderStatus.Failed) => true,
            (ProviderStatuses.Reversed, OrderStatus.Reversed) => true,
            (ProviderStatuses.Pending, _) when !order.Status.IsFinal() => true,
            (ProviderStatuses.Pending, _) => row.UpdatedAt <= order.CompletedAt,
            _ => false,
        };
        var statusProblem = agrees ? null : $"the log says {row.Status}, the portal has {order.Status}";
        return new LedgerVerdict(statusProblem, amountProblem,
            statusProblem is null && amountProblem is null && order.Status == OrderStatus.Delivered && row.Status == ProviderStatuses.Success);
    }

    private static string? AmountProblem(OrderSnapshot order, LedgerRow row)
    {
        var problems = new List<string>(3);
        if (row.Quantity != order.Coins)
        {
            problems.Add($"quantity {row.Quantity} but the order is for {order.Coins} coins");
        }

        if (!string.Equals(row.Currency, order.Currency, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"currency {row.Currency} but the price limit was in {order.Currency}");
        }
        else if (row.Amount > order.Amount)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"charged {row.Amount} {row.Currency}, above the limit of {order.Amount} {order.Currency}"));
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
