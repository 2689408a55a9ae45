using Microsoft.AspNetCore.Http;

namespace Databunker.Core.AspNetCore;

/// <summary>How the portal, the console and the DPO API hand out an export: the buffered JSON as a download.</summary>
internal static class JsonAttachment
{
    /// <summary>Writes <paramref name="buffer"/>'s content as <c>application/json</c>, saved by the browser as <paramref name="fileName"/>.</summary>
    public static Task WriteAsync(HttpContext context, MemoryStream buffer, string fileName)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        return context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }
}
