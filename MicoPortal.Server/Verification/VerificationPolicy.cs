using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>When to look at an order again. Deterministic when built with a seeded random or zero jitter.</summary>
public sealed class VerificationPolicy(VerificationOptions options, Random random)
{
    public VerificationPolicy(IOptions<VerificationOptions> options, Providers.ProviderCatalog providers) : this(options.Value, Random.Shared)
    {
        Routes = providers.Routes;
    }

    /// <summary>Where a confirmed failure may fail over to (docs/api.md section 8).</summary>
    public Providers.ProviderRoutes Routes { get; init; } = Providers.ProviderRoutes.Single;

    public TimeSpan StuckAfter => options.StuckAfter;

    public TimeSpan SettlementCheckAfter => options.SettlementCheckAfter;

    public TimeSpan LateDeliveryWatch => options.LateDeliveryWatch;

    public TimeSpan LateDeliveryCheckInterval => options.LateDeliveryCheckInterval;

    /// <summary>
    /// Delay before check number <paramref name="checkCount"/> (1-based), never shorter than the provider's
    /// Retry-After. With <paramref name="deliveryInHand"/> (a signed SUCCESS callback awaits its confirming
    /// query) never longer than <see cref="VerificationOptions.ConfirmationRecheck"/> either.
    /// </summary>
    public TimeSpan NextCheckDelay(int checkCount, TimeSpan? retryAfter = null, bool deliveryInHand = false)
    {
        var steps = options.Backoff is { Length: > 0 } configured ? configured : VerificationOptions.DefaultBackoff;
        var baseDelay = steps[Math.Clamp(checkCount - 1, 0, steps.Length - 1)];

        var spread = options.Jitter <= 0 ? 1.0 : 1.0 + ((random.NextDouble() * 2.0) - 1.0) * options.Jitter;
        var delay = TimeSpan.FromMilliseconds(baseDelay.TotalMilliseconds * spread);
        if (deliveryInHand && delay > options.ConfirmationRecheck)
        {
            delay = options.ConfirmationRecheck;
        }

        return retryAfter is { } wait && wait > delay ? wait : delay;
    }
}
