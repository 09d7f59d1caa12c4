using MicoPortal.Client.Services;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="IAuditApi"/> with a settable verification result and in-memory entries, recording the filters asked for.</summary>
public sealed class FakeAuditApi : IAuditApi
{
    public AuditVerification Verification { get; set; } = new(true, 0, null);
    public List<AuditEntryDto> Entries { get; } = [];
    public int VerifyCalls { get; private set; }
    public List<(long? OrderId, string? Action, int Page, int PageSize)> EntryRequests { get; } = [];

    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        VerifyCalls++;
        return Task.FromResult(Verification);
    }

    public Task<PagedResult<AuditEntryDto>> GetEntriesAsync(long? orderId, string? action, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        EntryRequests.Add((orderId, action, page, pageSize));
        var matching = Entries
            .Where(e => orderId is null || e.OrderId == orderId)
            .Where(e => action is null || e.Action == action)
            .OrderByDescending(e => e.Id)
            .ToList();
        return Task.FromResult(new PagedResult<AuditEntryDto>([.. matching.Skip((page - 1) * pageSize).Take(pageSize)], matching.Count, page, pageSize));
    }
}
