namespace MicoPortal.Shared.Orders;

/// <summary>Lifecycle of a paid order (docs/api.md section 1). Serialized by name.</summary>
public enum OrderStatus
{
    /// <summary>Accepted from the shop (paid), not yet sent to the provider.</summary>
    Received,
    /// <summary>The provider accepted the order and reports it pending.</summary>
    Submitted,
    /// <summary>A call timed out or failed; only asking the provider resolves it.</summary>
    Unknown,
    /// <summary>The provider reported success with a proof. Can still become Reversed.</summary>
    Delivered,
    /// <summary>The provider confirmed nothing was delivered.</summary>
    Failed,
    /// <summary>Was Delivered; the provider later reported a refund or reversal.</summary>
    Reversed,
}

public static class OrderStatusExtensions
{
    /// <summary>Final for the stuck SLA: Delivered counts as final even though it may still be reversed.</summary>
    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Delivered or OrderStatus.Failed or OrderStatus.Reversed;

    /// <summary>
    /// Whether a person may settle an order by hand (docs/api.md section 10): an outcome nobody knows, past its SLA,
    /// or sources that disagree. The server enforces it; the dashboard offers the action only then.
    /// </summary>
    public static bool AllowsManualResolution(this OrderStatus status, bool stuck, bool disputed) =>
        status == OrderStatus.Unknown || stuck || disputed;

    /// <summary>Statuses an operator can retry from (docs/api.md section 1, rule 2).</summary>
    public static bool AllowsRetryDelivery(this OrderStatus status) => status == OrderStatus.Failed;
}
