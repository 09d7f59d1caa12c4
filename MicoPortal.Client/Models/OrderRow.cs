using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Models;

/// <summary>
/// An order shown in a grid. Status and flags change in place when the hub pushes an <see cref="OrderChange"/>,
/// so the page can update the rows it shows without asking the server again.
/// </summary>
public sealed class OrderRow(OrderSummaryDto order)
{
    public OrderSummaryDto Order { get; private set; } = order;

    public long Id => Order.Id;
    public string ExternalId => Order.ExternalId;
    public string MicoUserId => Order.MicoUserId;
    public string Region => Order.Region;
    public string Sku => Order.Sku;
    public int Coins => Order.Coins;
    public string Amount => $"{Order.Amount} {Order.Currency}";
    public OrderStatus Status => Order.Status;
    public bool Stuck => Order.Stuck;
    public bool Disputed => Order.Disputed;
    public int AttemptNo => Order.AttemptNo;
    public string? ReasonCode => Order.ReasonCode;
    public string? ReasonMessage => Order.ReasonMessage;
    public int ConfirmationCount => Order.ConfirmationCount;
    public DateTimeOffset ReceivedAt => Order.ReceivedAt;
    public DateTimeOffset UpdatedAt => Order.UpdatedAt;
    public long? LatencyMs => Order.LatencyMs;
    public string? Provider => Order.Provider;

    /// <summary>Why the order needs a person, in words, when the provider gave no reason of its own.</summary>
    public string Reason => this switch
    {
        { Disputed: true } => "Sources disagree about this order",
        { Stuck: true } => "Not final after the SLA",
        { Status: OrderStatus.Reversed } => "Reversed by the provider",
        { Status: OrderStatus.Failed } => "The provider confirmed nothing was delivered",
        _ => "",
    };

    /// <summary>Applies a pushed change; older changes than what the row shows are ignored.</summary>
    public bool Apply(OrderChange change)
    {
        if (change.Id != Id || change.ChangedAt < Order.UpdatedAt)
        {
            return false;
        }
        Order = Order with
        {
            Status = change.Status,
            Stuck = change.Stuck,
            Disputed = change.Disputed,
            UpdatedAt = change.ChangedAt,
        };
        return true;
    }

    /// <summary>Applies every change that names a row; answers whether any row changed.</summary>
    public static bool ApplyAll(IEnumerable<OrderRow> rows, IReadOnlyList<OrderChange> changes)
    {
        var byId = rows.ToDictionary(r => r.Id);
        var changed = false;
        foreach (var change in changes.OrderBy(c => c.ChangedAt))
        {
            if (byId.TryGetValue(change.Id, out var row))
            {
                changed |= row.Apply(change);
            }
        }
        return changed;
    }
}
