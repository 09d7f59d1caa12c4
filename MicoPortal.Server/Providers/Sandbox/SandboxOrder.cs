using System.Globalization;

namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>
/// An order the sandbox accepted. Immutable except for <see cref="LastNotifiedVersion"/>: its status
/// at any moment follows from <see cref="Timeline"/> and the time since <see cref="CreatedAt"/>.
/// </summary>
public sealed class SandboxOrder
{
    internal SandboxOrder(ProviderCreateOrderRequest request, SandboxScenario scenario, DateTimeOffset createdAt)
    {
        Request = request;
        Scenario = scenario;
        CreatedAt = createdAt;
        Timeline = SandboxScenarios.Timeline(scenario, request.ClientRef);
        var id = Guid.NewGuid().ToString("N").ToUpperInvariant();
        ProviderRef = "SBX-" + id[..16];
        Serial = "SN" + id[16..28];
    }

    public ProviderCreateOrderRequest Request { get; }

    public SandboxScenario Scenario { get; }

    public string ClientRef => Request.ClientRef;

    public string ProviderRef { get; }

    public string Serial { get; }

    public DateTimeOffset CreatedAt { get; }

    internal IReadOnlyList<SandboxStep> Timeline { get; }

    internal int FinalVersion => Timeline.Count;

    /// <summary>Where the order's timeline ends (what the balance is charged by).</summary>
    internal string FinalStatus => Timeline[^1].Status;

    /// <summary>Highest version a callback was planned for (guarded by the ledger entry's lock).</summary>
    internal int LastNotifiedVersion { get; set; }

    /// <summary>The version reached at <paramref name="now"/> (1-based index into the timeline).</summary>
    public int VersionAt(DateTimeOffset now)
    {
        var elapsed = now - CreatedAt;
        var version = 1;
        for (var i = 1; i < Timeline.Count; i++)
        {
            if (Timeline[i].At <= elapsed)
            {
                version = i + 1;
            }
        }

        return version;
    }

    /// <summary>The provider's answer about this order at <paramref name="now"/>.</summary>
    public ProviderOrder SnapshotAt(DateTimeOffset now) => Snapshot(VersionAt(now));

    /// <summary>The order as it looked at one version (also used to send an old version on purpose).</summary>
    public ProviderOrder Snapshot(int version)
    {
        var step = Timeline[version - 1];
        var (reasonCode, reasonMessage) = step.Status != ProviderStatuses.Failed ? default((string?, string?))
            : Scenario == SandboxScenario.OutOfStock ? ("OUT_OF_STOCK", "out of stock")
            : ("ACCOUNT_INVALID", "The account does not exist or cannot receive top-ups.");
        ProviderProof? proof = null;
        if (step.Status is ProviderStatuses.Success or ProviderStatuses.Reversed)
        {
            // A reversal keeps the proof of the delivery it reverses.
            var delivered = Timeline.First(s => s.Status == ProviderStatuses.Success);
            proof = new ProviderProof(Serial, Request.Quantity, CreatedAt + delivered.At);
        }

        return new ProviderOrder(
            ClientRef,
            ProviderRef,
            step.Status,
            reasonCode,
            reasonMessage,
            proof,
            CreatedAt,
            CreatedAt + step.At,
            version);
    }

    /// <summary>Same order as far as idempotency goes: the callbackUrl is deliberately not part of it.</summary>
    internal bool SameBody(ProviderCreateOrderRequest other) =>
        Request.Sku == other.Sku
        && Request.Account == other.Account
        && Request.Quantity == other.Quantity
        && Request.MaxPrice.Currency == other.MaxPrice.Currency
        && decimal.Parse(Request.MaxPrice.Amount, NumberStyles.Number, CultureInfo.InvariantCulture)
            == decimal.Parse(other.MaxPrice.Amount, NumberStyles.Number, CultureInfo.InvariantCulture);
}
