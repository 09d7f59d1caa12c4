using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// An order as the portal holds it, for tests that feed the state machine or write orders straight to the
/// database; callers set what their case is about (status, lease, ...) on the result.
/// </summary>
internal static class TestOrders
{
    /// <summary>500 coins for a valid account, received at <paramref name="at"/> and due for dispatch then.</summary>
    public static Order Received(string externalId, DateTimeOffset at, string micoUserId = "12345678") => new()
    {
        ExternalId = externalId,
        MicoUserId = micoUserId,
        Region = "GLOBAL",
        Sku = "MICO-COINS-500",
        Coins = 500,
        Amount = 4.99m,
        Currency = "USD",
        Status = OrderStatus.Received,
        ReceivedAt = at,
        UpdatedAt = at,
        DueBy = at.AddMinutes(15),
        NextCheckAt = at,
    };

    /// <summary>The same, accepted by the provider at <paramref name="at"/> (its create sent, its answer PENDING).</summary>
    public static Order Submitted(string externalId, DateTimeOffset at, string micoUserId = "12345678")
    {
        var order = Received(externalId, at, micoUserId);
        order.Status = OrderStatus.Submitted;
        order.CreateIssuedAt = at;
        order.SubmittedAt = at;
        return order;
    }
}
