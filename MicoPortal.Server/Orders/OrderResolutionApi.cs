using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Orders;

/// <summary>Manual resolution and notes (docs/api.md section 10).</summary>
public static class OrderResolutionApi
{
    /// <summary>
    /// <c>POST /api/v1/orders/{id}/resolve</c>: JSON <c>{outcome, reason, evidence?}</c>, or the same fields as a
    /// multipart form with an optional <c>file</c> of evidence kept with the order.
    /// </summary>
    public static async Task<Results<Ok<OrderDto>, ValidationProblem, ProblemHttpResult>> Resolve(
        long id, HttpRequest request, OrderActions actions, OrderQueries queries, CancellationToken cancellationToken)
    {
        var (body, file, error) = await ReadAsync(request, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var errors = new Dictionary<string, string[]>();
        var outcome = body?.Outcome?.Trim() switch
        {
            { } o when o.Equals(ResolutionOutcomes.Delivered, StringComparison.OrdinalIgnoreCase) => ResolutionOutcomes.Delivered,
            { } o when o.Equals(ResolutionOutcomes.Failed, StringComparison.OrdinalIgnoreCase) => ResolutionOutcomes.Failed,
            _ => null,
        };
        if (outcome is null)
        {
            errors["outcome"] = ["Must be Delivered or Failed."];
        }

        var reason = body?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > OrderResolution.MaxReason)
        {
            errors["reason"] = [$"A reason of 1 to {OrderResolution.MaxReason} characters says why."];
        }

        var evidence = string.IsNullOrWhiteSpace(body?.Evidence) ? null : body.Evidence.Trim();
        if (evidence?.Length > OrderResolution.MaxEvidence)
        {
            errors["evidence"] = [$"At most {OrderResolution.MaxEvidence} characters."];
        }

        if (file is { Length: > OrderResolution.MaxFileBytes })
        {
            errors["file"] = [$"At most {OrderResolution.MaxFileBytes / (1024 * 1024)} MB."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        EvidenceFile? evidenceFile = null;
        if (file is { Length: > 0 })
        {
            await using var stream = file.OpenReadStream();
            using var copy = new MemoryStream((int)file.Length);
            await stream.CopyToAsync(copy, cancellationToken);
            var name = Path.GetFileName(file.FileName);
            // The type is the browser's word for it, kept for the record only (downloads are always octet-stream).
            var type = string.IsNullOrEmpty(file.ContentType) || file.ContentType.Length > 100 ? "application/octet-stream" : file.ContentType;
            evidenceFile = new EvidenceFile(name.Length > 255 ? name[^255..] : name, type, copy.ToArray());
        }

        var by = request.HttpContext.User.Identity?.Name ?? "unknown";
        var result = await actions.ResolveAsync(id, new ResolvedByPerson(outcome!, reason!, by, evidence, evidenceFile), cancellationToken);
        return result.Outcome switch
        {
            ActionOutcome.NotFound => Problems.OrderNotFound(id),
            ActionOutcome.NotAllowed => Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.InvalidState, "Only Unknown, stuck or disputed orders can be settled by hand.", result.Message),
            _ => TypedResults.Ok((await queries.GetAsync(id, null, cancellationToken))!.ForReader(request.HttpContext)),
        };
    }

    private static async Task<(ResolveOrderRequest? Body, IFormFile? File, ProblemHttpResult? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(cancellationToken);
                return (new ResolveOrderRequest(form["outcome"], form["reason"], form["evidence"]), form.Files.GetFile("file"), null);
            }

            if (request.HasJsonContentType())
            {
                return (await request.ReadFromJsonAsync<ResolveOrderRequest>(cancellationToken), null, null);
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or BadHttpRequestException)
        {
            return (null, null, Problems.Of(StatusCodes.Status400BadRequest, ErrorCodes.Validation, "The request body could not be read.", ex.Message));
        }

        return (null, null, Problems.Of(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
            "Send JSON, or a multipart form when a file of evidence goes with it."));
    }

    /// <summary><c>GET /api/v1/orders/{id}/resolutions/{resolutionId}/file</c> (Admin): the evidence file as it was uploaded.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> EvidenceFile(
        long id, long resolutionId, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var file = await db.OrderResolutions.AsNoTracking().Where(r => r.Id == resolutionId && r.OrderId == id && r.EvidenceFile != null)
            .Select(r => new { r.EvidenceFile, r.EvidenceContentType, r.EvidenceFileName }).FirstOrDefaultAsync(cancellationToken);
        // Served as an attachment, never inline: an uploaded HTML file must not run in the portal's origin.
        return file is null
            ? Problems.Of(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Order {id} has no evidence file {resolutionId}.")
            : TypedResults.File(file.EvidenceFile!, "application/octet-stream", file.EvidenceFileName);
    }

    /// <summary><c>POST /api/v1/orders/{id}/notes</c> (operators): <c>201</c> with the note.</summary>
    public static async Task<Results<Created<OrderNoteDto>, ValidationProblem, ProblemHttpResult>> AddNote(
        long id, AddOrderNoteRequest? request, OrderActions actions, HttpContext http, CancellationToken cancellationToken)
    {
        var text = request?.Text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > OrderNote.MaxText)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["text"] = [$"A note of 1 to {OrderNote.MaxText} characters."] });
        }

        var note = await actions.AddNoteAsync(id, text, http.User.Identity?.Name ?? "unknown", cancellationToken);
        return note is null ? Problems.OrderNotFound(id) : TypedResults.Created($"/api/v1/orders/{id}", note.ToDto());
    }
}
