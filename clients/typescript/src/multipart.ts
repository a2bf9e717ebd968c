/**
 * A body serializer for `multipart/form-data` operations (media uploads):
 * `api.POST("/api/v1/media", { body: { file, alt }, bodySerializer: multipart })`.
 * Files (`Blob`s, typed so by the generator) go in as files, other values as
 * text; absent and null fields are left out.
 */
export function multipart(body: object): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined) {
      continue;
    }
    if (value instanceof Blob) {
      form.append(name, value, value instanceof File ? value.name : name);
    } else {
      form.append(name, typeof value === "string" ? value : JSON.stringify(value));
    }
  }
  return form;
}
