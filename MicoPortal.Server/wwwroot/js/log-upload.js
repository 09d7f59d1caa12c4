// Sends a file chosen in a file input straight from the browser, with upload progress. Blazor's
// HttpClient in WebAssembly copies a request body into memory before sending it (request streaming
// needs HTTP/2), so a transaction log of hundreds of megabytes goes through XMLHttpRequest instead.
window.micoPortal = window.micoPortal || {};
window.micoPortal.uploadFile = (inputSelector, fileName, url, field, progress) => new Promise(resolve => {
    const input = document.querySelector(inputSelector);
    const file = input && [...input.files].find(f => f.name === fileName);
    if (!file) {
        resolve({ status: -1, body: "The chosen file is no longer available; choose it again." });
        return;
    }

    const form = new FormData();
    form.append(field, file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Accept", "application/json");
    let last = 0;
    request.upload.onprogress = e => {
        // At most a few updates a second reach .NET.
        const now = Date.now();
        if (e.lengthComputable && (now - last > 200 || e.loaded === e.total)) {
            last = now;
            progress.invokeMethodAsync("OnProgress", e.loaded, e.total);
        }
    };
    request.onload = () => resolve({ status: request.status, body: request.responseText });
    request.onerror = () => resolve({ status: 0, body: "" });
    request.send(form);
});
