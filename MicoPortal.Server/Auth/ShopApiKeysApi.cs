using System.Text.RegularExpressions;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Auth;

/// <summary>Admins create, list and revoke shops' API keys. The key itself is shown once, at creation.</summary>
public static partial class ShopApiKeysApi
{
    public static IEndpointRouteBuilder MapShopApiKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        group.MapGet("", List);
        group.MapPost("", Create);
        group.MapDelete("/{id:long}", Revoke);
        return app;
    }

    public static async Task<Ok<List<ShopApiKeyDto>>> List(IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = await db.ShopApiKeys.AsNoTracking().OrderBy(k => k.Shop).ThenBy(k => k.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.Select(ToDto).ToList());
    }

    public static async Task<Results<Created<CreatedShopApiKeyDto>, ValidationProblem>> Create(
        CreateShopApiKeyRequest? request, IDbContextFactory<PortalDbContext> dbFactory, ShopApiKeyStore store, TimeProvider time,
        HttpContext http, ILogger<ShopApiKey> logger, AuditTrail audit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var shop = request?.Shop?.Trim();
        var name = request?.Name?.Trim();
        if (shop is null || !ShopName().IsMatch(shop))
        {
            errors["shop"] = ["A shop is 1 to 64 letters, digits, '.', '_' or '-'."];
        }
        else if (shop == ShopScope.Portal)
        {
            errors["shop"] = [$"'{ShopScope.Portal}' is reserved for orders placed by operators."];
        }

        if (string.IsNullOrEmpty(name) || name.Length > 100 || name.Any(char.IsControl))
        {
            errors["name"] = ["A name of 1 to 100 characters says what the key is for."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var key = ShopApiKeyStore.NewKey();
        var entity = new ShopApiKey
        {
            Shop = shop!,
            Name = name!,
            Prefix = ShopApiKeyStore.PrefixOf(key),
            Hash = ShopApiKeyStore.Digest(key),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = ActorName.Of(http),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ShopApiKeys.Add(entity);
        audit.Add(db, entity.CreatedBy, AuditActions.ApiKeyCreated, $"created API key {entity.Prefix}... '{entity.Name}' for shop {entity.Shop}");
        await db.SaveChangesAsync(cancellationToken);
        store.Invalidate();
        logger.LogInformation("{Actor} created API key {KeyId} ({Prefix}...) for shop {Shop}", entity.CreatedBy, entity.Id, entity.Prefix, entity.Shop);
        return TypedResults.Created($"/api/v1/admin/api-keys/{entity.Id}", new CreatedShopApiKeyDto(ToDto(entity), key));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        long id, IDbContextFactory<PortalDbContext> dbFactory, ShopApiKeyStore store, TimeProvider time,
        HttpContext http, ILogger<ShopApiKey> logger, AuditTrail audit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ShopApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound(ErrorCodes.ApiKeyNotFound, $"API key {id}");
        }

        // Revoking twice is harmless: the first revocation stays on record.
        if (key.RevokedAt is null)
        {
            key.RevokedAt = time.GetUtcNow();
            key.RevokedBy = ActorName.Of(http);
            audit.Add(db, key.RevokedBy, AuditActions.ApiKeyRevoked, $"revoked API key {key.Id} ({key.Prefix}...) of shop {key.Shop}");
            await db.SaveChangesAsync(cancellationToken);
            store.Invalidate();
            logger.LogInformation("{Actor} revoked API key {KeyId} ({Prefix}...) of shop {Shop}", key.RevokedBy, key.Id, key.Prefix, key.Shop);
        }

        return TypedResults.NoContent();
    }

    private static ShopApiKeyDto ToDto(ShopApiKey k) =>
        new(k.Id, k.Shop, k.Name, k.Prefix, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.RevokedBy, k.LastUsedAt);


    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex ShopName();
}
