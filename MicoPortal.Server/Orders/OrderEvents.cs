using MicoPortal.Server.Providers;

namespace MicoPortal.Server.Orders;

/// <summary>Something that happened to an order; fed to <see cref="OrderStateMachine.Apply"/>.</summary>
public abstract record OrderEvent;

/// <summary>The provider answered a create (200/201) with its view of the order.</summary>
public sealed record CreateAnswered(ProviderOrder Order) : OrderEvent;

/// <summary>The provider refused a create with a definite answer (4xx such as VALIDATION or REF_CONFLICT).</summary>
public sealed record CreateRejected(string Code, string Message) : OrderEvent;

/// <summary>A create timed out, failed or was answered unreadably: the order may or may not exist.</summary>
public sealed record CreateOutcomeUnknown(string Error, TimeSpan? RetryAfter) : OrderEvent;

/// <summary>A status query answered with the provider's view of the order.</summary>
public sealed record QueryAnswered(ProviderOrder Order) : OrderEvent;

/// <summary>A status query answered REF_NOT_FOUND: the provider never accepted this attempt.</summary>
public sealed record QueryNotFound : OrderEvent;

/// <summary>A status query failed (timeout, 5xx, 429...): nothing learned, ask again later.</summary>
public sealed record QueryFailed(string Error, TimeSpan? RetryAfter) : OrderEvent;

/// <summary>
/// A signed callback arrived from <paramref name="Provider"/>. A hint: it confirms, it never moves the status
/// alone, and only the provider of the attempt it names can speak for it.
/// </summary>
public sealed record CallbackReceived(ProviderOrder Order, string Provider = Providers.ProviderCatalog.DefaultProvider) : OrderEvent;

/// <summary>An admin asked for the order to be checked with the provider again.</summary>
public sealed record ReverifyRequested(string? By) : OrderEvent;

/// <summary>An admin asked for a new delivery attempt of a failed order.</summary>
public sealed record RetryDeliveryRequested(string? By) : OrderEvent;

/// <summary>
/// The order's SLA has passed (its <see cref="Order.DueBy"/>): an order not final by then is flagged stuck
/// (docs/api.md section 1), so a person looks at it.
/// </summary>
public sealed record SlaPassed : OrderEvent;

/// <summary>
/// The provider's transaction log disagrees with the order (a reconciliation found it): a person must
/// look, and an order that may still change is checked with the provider at once.
/// </summary>
public sealed record LedgerDisagreed(string Reason) : OrderEvent;

/// <summary>
/// A person settled the order (docs/api.md section 10): <paramref name="Outcome"/> is Delivered or Failed, allowed
/// only while the order is Unknown, stuck or disputed. The reason and evidence are kept in an <see cref="OrderResolution"/>.
/// </summary>
public sealed record ResolvedByPerson(string Outcome, string Reason, string By, string? Evidence = null, EvidenceFile? File = null) : OrderEvent;

/// <summary>A file a person gave as evidence of a resolution, kept with the order.</summary>
public sealed record EvidenceFile(string FileName, string ContentType, byte[] Content);
