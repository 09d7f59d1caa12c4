using MicoPortal.Shared.Orders;

namespace MicoPortal.Tests.Pipeline;

/// <summary>What each sandbox scenario (docs/api.md section 5, by the last two digits of the user id) must end as.</summary>
public static class ScenarioExpectations
{
    public static readonly int[] Suffixes = [91, 92, 93, 94, 95, 96, 97, 98, 99, 10];

    public static OrderStatus FinalStatus(int suffix) => suffix switch
    {
        91 => OrderStatus.Failed,
        95 => OrderStatus.Reversed,
        _ => OrderStatus.Delivered,
    };

    public static int Suffix(string micoUserId) => int.Parse(micoUserId[^2..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A user id of 8 digits ending in the scenario's suffix; "10" stands for the ordinary case.</summary>
    public static string UserId(int suffix, int index) => $"{100000 + index:000000}{suffix:00}";
}
