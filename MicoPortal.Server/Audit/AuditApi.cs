using System.Text.RegularExpressions;
using MicoPortal.Server.Auth;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Audit;

/// <summary>The audit ledger for admins: verify the chain, read the entries.</summary>
public static partial class AuditApi
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);
        group.MapGet("/verify", Verify);
        group.MapGet("/entries", Entries);
        return app;
    }

    /// <summary>Verifies the chain; <paramref name="sequence"/> and <paramref name="hash"/> add a checkpoint kept outside the database.</summary>
    public static async Task<Results<Ok<AuditVerification>, ValidationProblem>> Verify(
        long? sequence, string? hash, AuditVerifier verifier, CancellationToken cancellationToken)
    {
        AuditCheckpointClaim? claim = null;
        if (sequence is not null || hash is not null)
        {
            var errors = new Dictionary<string, string[]>();
            if (sequence is not > 0)
            {
                errors["sequence"] = ["A checkpoint's sequence is a positive number."];
            }

            if (hash is null || !Sha256Hex().IsMatch(hash))
            {
                errors["hash"] = ["A checkpoint's hash is 64 hexadecimal characters."];
            }

            if (errors.Count > 0)
            {
                return Problems.Validation(errors);
            }

            claim = new AuditCheckpointClaim(sequence!.Value, hash!.ToLowerInvariant());
        }

        return TypedResults.Ok(await verifier.VerifyAsync(claim, cancellationToken));
    }

    public static async Task<Results<Ok<PagedResult<AuditEntryDto>>, ValidationProblem>> Entries(
        long? orderId, string? action, int? page, int? pageSize, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(page, pageSize, 50, MaxPageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AuditEntries.AsNoTracking();
        if (orderId is { } id)
        {
            query = query.Where(e => e.OrderId == id);
        }

        if (!string.IsNullOrWhiteSpace(action))
        {
            query = query.Where(e => e.Action == action);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.Id)
            .Skip(paging.Skip).Take(paging.Size)
            .Select(e => new AuditEntryDto(e.Id, e.Sequence, e.At, e.Actor, e.Action, e.OrderId, e.Details, e.Hash))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResult<AuditEntryDto>(items, total, paging.Number, paging.Size));
    }

    [GeneratedRegex(@"^[0-9a-fA-F]{64}\z")]
    private static partial Regex Sha256Hex();
}

public static class AuditExtensions
{
    public static IServiceCollection AddAuditLedger(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AuditSealer>();
        services.AddRecurringJob<AuditSealer>(AuditSealer.JobId, "*/2 * * * * *", s => s.SealPendingAsync(CancellationToken.None));
        services.AddSingleton<AuditVerifier>();
        return services;
    }
}
