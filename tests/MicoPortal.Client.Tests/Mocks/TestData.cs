using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Providers;
using MicoPortal.Shared.Reconciliation;

namespace MicoPortal.Client.Tests.Mocks;

public static class TestData
{
    public static readonly CurrentUserDto Admin = new("admin@micoportal.local", [Roles.Admin]);
    public static readonly CurrentUserDto Operations = new("ops@micoportal.local", [Roles.Operations]);
    public static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public static MetricsSummary Summary(
        double successRate = 0.975, long delivered = 1500, long failed = 7, long reversed = 1, long pending = 12,
        long unknown = 3, long stuck = 2, long disputed = 4, double p95 = 1234, double throughput = 42.5, double automationRate = 0.96) =>
        new(successRate, delivered, failed, reversed, pending, unknown, stuck, disputed,
            new LatencyPercentiles(800, p95, 2500), throughput, "15m", Now, automationRate);

    public static IncidentDto Incident(long id, IncidentSeverity severity = IncidentSeverity.Warning, string metric = IncidentMetrics.SuccessRate,
        string sku = "MICO-COINS-500", string region = "MENA", DateTimeOffset? resolvedAt = null, string summary = "success rate 81.0 % over 42 orders in the last 2 min, normally 98.7 %") =>
        new(id, severity, metric, new IncidentSlice(sku, region), Now.AddMinutes(-id), resolvedAt,
            new IncidentEvidence(0.81, 0.987, 5.4, 42, summary));

    public static OrderSummaryDto OrderSummary(long id, OrderStatus status = OrderStatus.Delivered, bool stuck = false,
        bool disputed = false, string? reasonCode = null, string? reasonMessage = null) => new()
        {
            Id = id,
            ExternalId = $"shop-{id}",
            MicoUserId = "1234567801",
            Region = "GLOBAL",
            Sku = "COINS_1000",
            Coins = 1000,
            Amount = "4.99",
            Currency = "USD",
            Status = status,
            Stuck = stuck,
            Disputed = disputed,
            AttemptNo = 1,
            ReasonCode = reasonCode,
            ReasonMessage = reasonMessage,
            ConfirmationCount = status == OrderStatus.Delivered ? 1 : 0,
            ReceivedAt = Now.AddMinutes(-10),
            UpdatedAt = Now.AddMinutes(-5),
            CompletedAt = status.IsFinal() ? Now.AddMinutes(-5) : null,
            LatencyMs = 1500,
        };

    public static OrderDto Order(long id, OrderStatus status = OrderStatus.Delivered) => new()
    {
        Id = id,
        ExternalId = $"shop-{id}",
        MicoUserId = "1234567801",
        Region = "GLOBAL",
        Sku = "COINS_1000",
        Coins = 1000,
        Amount = "4.99",
        Currency = "USD",
        Status = status,
        AttemptNo = 1,
        ClientRef = $"{id}-1",
        ProviderRef = $"prov-{id}",
        ProviderStatus = status == OrderStatus.Delivered ? "SUCCESS" : "FAILED",
        ReasonCode = status == OrderStatus.Failed ? "ACCOUNT_INVALID" : null,
        ReasonMessage = status == OrderStatus.Failed ? "The MICO account does not exist" : null,
        Proof = status == OrderStatus.Delivered ? new ProofDto("SN-998877", 1000, Now.AddSeconds(-30)) : null,
        Confirmations = status == OrderStatus.Delivered
            ? [new ConfirmationDto(ConfirmationSource.Api, Now.AddSeconds(-20)), new ConfirmationDto(ConfirmationSource.Callback, Now.AddSeconds(-25))]
            : [],
        Attempts =
        [
            new AttemptDto(1, 1, $"{id}-1", "create", Now.AddMinutes(-1), 201, "PENDING", "Submitted", 120, null),
            new AttemptDto(2, 1, $"{id}-1", "query", Now.AddSeconds(-20), 200, status == OrderStatus.Delivered ? "SUCCESS" : "FAILED",
                status.ToString(), 85, null),
            new AttemptDto(3, 1, $"{id}-1", "query", Now.AddSeconds(-50), null, null, "Unknown", 10000, "Timed out after 10 s"),
        ],
        ReceivedAt = Now.AddMinutes(-1),
        SubmittedAt = Now.AddSeconds(-59),
        CompletedAt = status.IsFinal() ? Now.AddSeconds(-20) : null,
        UpdatedAt = Now.AddSeconds(-20),
        LatencyMs = 40000,
    };

    public static ReconciliationDto Reconciliation(long id, ReconciliationState state = ReconciliationState.Completed, string fileName = "provider-2026-03-14.csv",
        long rows = 1200, long matched = 1180, long missingInPortal = 3, long missingAtProvider = 5, long statusMismatch = 7, long amountMismatch = 2,
        long invalidRows = 3, long confirmed = 1180, long fileBytes = 96_000, long? bytesRead = null, string? error = null, string provider = "default") => new()
        {
            Id = id,
            State = state,
            Counts = new(rows, matched, missingInPortal, missingAtProvider, statusMismatch, amountMismatch, invalidRows, confirmed),
            StartedAt = state == ReconciliationState.Queued ? null : Now.AddMinutes(-3),
            CompletedAt = state is ReconciliationState.Completed or ReconciliationState.Failed ? Now.AddMinutes(-2) : null,
            FileName = fileName,
            FileBytes = fileBytes,
            BytesRead = bytesRead ?? (state == ReconciliationState.Completed ? fileBytes : 0),
            UploadedAt = Now.AddMinutes(-4),
            UploadedBy = "admin@micoportal.local",
            RangeFrom = Now.AddHours(-1),
            RangeTo = Now,
            Error = error,
            Provider = provider,
        };

    public static ProviderDto Provider(string name, int priority = 1, ProviderHealth health = ProviderHealth.Healthy, bool paused = false,
        string? pauseReason = null, string? balance = "12500.00", bool? lowBalance = false, double? successRate = 0.991, double? latencyP95Ms = 840,
        int inFlight = 3, IReadOnlyList<string>? skus = null, IReadOnlyList<string>? regions = null) =>
        new(name, priority, skus ?? [], regions ?? [], paused, pauseReason, health, balance, balance is null ? null : "USD",
            balance is null ? null : Now.AddSeconds(-30), lowBalance is null ? null : "1000.00", inFlight, successRate, latencyP95Ms,
            paused ? "ops-lead@micoportal.local" : null, paused ? Now.AddMinutes(-15) : null,
            lowBalance,
            [new ProviderBalancePoint(Now.AddMinutes(-20), "15000.00"), new ProviderBalancePoint(Now.AddMinutes(-10), "13800.00"), new ProviderBalancePoint(Now.AddSeconds(-30), balance ?? "12500.00")]);
}
