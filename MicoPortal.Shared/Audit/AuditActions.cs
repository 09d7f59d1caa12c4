namespace MicoPortal.Shared.Audit;

/// <summary>The stable action names of audit entries.</summary>
public static class AuditActions
{
    public const string OrderTransition = "order.transition";
    public const string OrderReverify = "order.reverify";
    public const string OrderRetryDelivery = "order.retry-delivery";
    public const string ReconciliationUploaded = "reconciliation.uploaded";
    public const string ReconciliationCompleted = "reconciliation.completed";
    public const string ReconciliationRestarted = "reconciliation.restarted";
    public const string ApiKeyCreated = "api-key.created";
    public const string ApiKeyRevoked = "api-key.revoked";
    public const string UserCreated = "user.created";
    public const string UserRoleChanged = "user.role-changed";
    public const string UserUnlocked = "user.unlocked";
    public const string UserDeleted = "user.deleted";
    public const string AdminBootstrapped = "admin.bootstrapped";
    public const string ProviderPaused = "provider.paused";
    public const string ProviderResumed = "provider.resumed";
    public const string OrderResolve = "order.resolve";
    public const string OrderNote = "order.note";
    public const string ShopWebhookSet = "shop-webhook.set";
    public const string ShopWebhookDeleted = "shop-webhook.deleted";
    public const string WebhookResent = "webhook.resent";

    /// <summary>Every action, for filters.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        OrderTransition, OrderReverify, OrderRetryDelivery, ReconciliationUploaded, ReconciliationCompleted,
        ApiKeyCreated, ApiKeyRevoked, UserCreated, UserRoleChanged, UserUnlocked, UserDeleted, AdminBootstrapped,
        ReconciliationRestarted, ProviderPaused, ProviderResumed, OrderResolve, OrderNote, ShopWebhookSet, ShopWebhookDeleted,
        WebhookResent,
    ];
}
