using System.Security.Cryptography;
using System.Text;

namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>The behaviours of docs/api.md section 5, chosen by the last two digits of the account's userId.</summary>
public enum SandboxScenario
{
    Default,
    AccountInvalid, // 91
    SlowSuccess, // 92
    DropAfterCommit, // 93
    DropBeforeCommit, // 94
    Reversal, // 95
    RateLimited, // 96
    Maintenance, // 97
    CallbackChaos, // 98
    MalformedFirst, // 99
    OutOfStock, // not chosen by the userId: Sandbox:Faults:OutOfStockRate of plain orders
}

/// <summary>One point of an order's timeline: from <see cref="At"/> after creation the status is <see cref="Status"/>.</summary>
internal sealed record SandboxStep(TimeSpan At, string Status);

internal static class SandboxScenarios
{
    public const int RateLimitedCalls = 3;
    public static readonly TimeSpan MaintenanceWindow = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan SlowSuccessDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ReversalDelay = TimeSpan.FromSeconds(10);

    public static SandboxScenario Resolve(string userId) =>
        userId.Length < 2 ? SandboxScenario.Default : userId[^2..] switch
        {
            "91" => SandboxScenario.AccountInvalid,
            "92" => SandboxScenario.SlowSuccess,
            "93" => SandboxScenario.DropAfterCommit,
            "94" => SandboxScenario.DropBeforeCommit,
            "95" => SandboxScenario.Reversal,
            "96" => SandboxScenario.RateLimited,
            "97" => SandboxScenario.Maintenance,
            "98" => SandboxScenario.CallbackChaos,
            "99" => SandboxScenario.MalformedFirst,
            _ => SandboxScenario.Default,
        };

    /// <summary>
    /// The whole life of an order, fixed at creation: status is then a pure function of the time
    /// since creation, and the version is the index of the step reached, so it can only grow.
    /// </summary>
    public static IReadOnlyList<SandboxStep> Timeline(SandboxScenario scenario, string clientRef) => scenario switch
    {
        SandboxScenario.AccountInvalid or SandboxScenario.OutOfStock => [new(TimeSpan.Zero, ProviderStatuses.Failed)],
        SandboxScenario.SlowSuccess =>
            [new(TimeSpan.Zero, ProviderStatuses.Pending), new(SlowSuccessDelay, ProviderStatuses.Success)],
        SandboxScenario.Reversal =>
            [new(TimeSpan.Zero, ProviderStatuses.Success), new(ReversalDelay, ProviderStatuses.Reversed)],
        // At least half a second pending, so there is an older version to send after the newer one.
        SandboxScenario.CallbackChaos =>
            [new(TimeSpan.Zero, ProviderStatuses.Pending), new(TimeSpan.FromMilliseconds(500 + StableMillis(clientRef, 1500)), ProviderStatuses.Success)],
        _ => [new(TimeSpan.Zero, ProviderStatuses.Pending), new(DefaultPendingTime(clientRef), ProviderStatuses.Success)],
    };

    /// <summary>0 to 2 s, random per order but the same for the same clientRef (repeatable demos and tests).</summary>
    public static TimeSpan DefaultPendingTime(string clientRef) => TimeSpan.FromMilliseconds(StableMillis(clientRef, 2000));

    /// <summary>Whether a plain order with this clientRef is out of stock at <paramref name="rate"/>: the same answer for the same ref, in every run.</summary>
    public static bool IsOutOfStock(string clientRef, double rate) =>
        // Bytes 4 to 7 of the hash, so the choice is independent of the pending time (bytes 0 to 3).
        rate > 0 && BitConverter.ToUInt32(Hash(clientRef), 4) / (uint.MaxValue + 1.0) < rate;

    private static int StableMillis(string clientRef, int max) =>
        (int)(BitConverter.ToUInt32(Hash(clientRef), 0) % (uint)(max + 1));

    // string.GetHashCode is randomized per process; a real hash keeps it stable across runs.
    private static byte[] Hash(string clientRef) => SHA256.HashData(Encoding.UTF8.GetBytes(clientRef));
}
