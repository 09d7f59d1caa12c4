using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Models;

/// <summary>When a person may settle an order by hand (docs/api.md section 10); the server refuses the rest with 409.</summary>
public static class ManualResolution
{
    public static bool Allows(OrderStatus status, bool stuck, bool disputed) => status == OrderStatus.Unknown || stuck || disputed;

    public static bool Allows(OrderDto order) => Allows(order.Status, order.Stuck, order.Disputed);
}
