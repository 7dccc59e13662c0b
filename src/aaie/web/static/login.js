// The sign-in page: after "session expired", the page that sent the user here keeps its
// drafts in localStorage; nothing to do here but focus the first empty field.
const email = document.getElementById("email");
const password = document.getElementById("password");
if (email && email.value && password) password.focus();
